/* labecon: what the page offers beside its charts once they are live (labecon_book/figures.py makes the rest).
 *
 * Loaded after the chart bundle and before any chart is drawn. Each chart is drawn by a call to vegaEmbed;
 * wrapped here, every drawn chart
 *  - keeps the text alternative of its static drawing (role "img", aria-label);
 *  - when it has what-if controls, keeps its box "Re-run with these values" in step with them: the command is
 *    joined from texts made when the page was built (the box's model), never computed here;
 *  - keeps the values of its controls in the page's address, after "#": "chart-<slug>-<n>.<column>=<value>",
 *    joined by "&", for every control away from the value the page opened with. A link with such an address
 *    opens the page with those values set (a value the chart does not offer is named in the box and ignored).
 */
(function () {
  "use strict";
  var embed = window.vegaEmbed;
  if (!embed) {
    return;
  }
  var charts = {};  // chart id -> {view, model, box}
  var parsed = new Promise(function (resolve) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", resolve);
    } else {
      resolve();
    }
  });

  function near(a, b) {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }

  // The model's text for a control's value: the one of its values nearest to it.
  function keyOf(control, value) {
    for (var i = 0; i < control.values.length; i++) {
      if (near(parseFloat(control.values[i]), Number(value))) {
        return control.values[i];
      }
    }
    return null;
  }

  function fragmentState() {
    var state = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (item) {
      var m = /^(chart-[a-z0-9-]+-\d+)\.([A-Za-z0-9_]+)=(.+)$/.exec(decodeURIComponent(item));
      if (m) {
        (state[m[1]] = state[m[1]] || {})[m[2]] = m[3];
      }
    });
    return state;
  }

  function writeFragment() {
    var items = [];
    Object.keys(charts).sort().forEach(function (id) {
      var chart = charts[id];
      chart.model.controls.forEach(function (c) {
        var key = keyOf(c, chart.view.signal(c.signal));
        if (key !== null && key !== c.default) {
          items.push(id + "." + c.column + "=" + key);
        }
      });
    });
    var ours = Object.keys(fragmentState()).length > 0;
    if (!items.length && !ours) {
      return;  // the address holds an anchor of the page, or nothing: left as it is
    }
    var hash = items.length ? "#" + items.join("&") : "";
    if (hash !== location.hash) {
      history.replaceState(null, "", location.pathname + location.search + hash);
    }
  }

  // The command for the values set: the page's own parameters, then what each moved control sets, in the
  // order of the chapter's parameters.
  function command(chart) {
    var model = chart.model;
    var text = {}, notes = [];
    model.fixed.forEach(function (p) {
      text[p[0]] = p[1];
    });
    model.controls.forEach(function (c) {
      var key = keyOf(c, chart.view.signal(c.signal));
      if (key === null || key === c.default) {
        return;
      }
      if (!c.sets) {
        notes.push("No parameter of the chapter sets “" + c.label + "”: the command keeps its value of " +
                   c.default + ".");
        return;
      }
      c.sets[key].forEach(function (p) {
        text[p[0]] = p[1];
      });
    });
    var words = ["labecon run", model.chapter];
    model.order.forEach(function (name) {
      if (name in text) {
        words.push("-p " + name + " " + text[name]);
      }
    });
    return {text: words.join(" "), notes: notes};
  }

  function show(chart, problems) {
    var made = command(chart);
    chart.box.querySelector(".labecon-rerun-command").textContent = made.text;
    var note = chart.box.querySelector(".labecon-rerun-note");
    var said = (problems || []).concat(made.notes);
    note.textContent = said.join(" ");
    note.hidden = said.length === 0;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var done = document.execCommand("copy");
    document.body.removeChild(area);
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function wire(id, view) {
    var box = document.getElementById(id + "-rerun");
    if (!box) {
      return;
    }
    var chart = {view: view, box: box,
                 model: JSON.parse(box.querySelector("script.labecon-rerun-model").textContent)};
    charts[id] = chart;
    var asked = fragmentState()[id] || {};
    var problems = [];
    chart.model.controls.forEach(function (c) {
      if (c.column in asked) {
        var key = keyOf(c, asked[c.column]);
        if (key === null) {
          problems.push("The link sets “" + c.label + "” to " + asked[c.column] + ", which this chart does not " +
                        "offer (it offers " + c.values.join(", ") + "); the chart shows " + c.default + ".");
        } else {
          view.signal(c.signal, parseFloat(key));
        }
      }
      view.addSignalListener(c.signal, function () {
        show(chart);
        writeFragment();
      });
    });
    box.classList.add("labecon-rerun-live");  // the controls show their values now
    var button = box.querySelector(".labecon-copy");
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(box.querySelector(".labecon-rerun-command").textContent).then(function () {
        button.textContent = "Copied";
      }, function () {
        button.textContent = "Select and copy";
      });
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    });
    return view.runAsync().then(function () {
      show(chart, problems);
      if (Object.keys(asked).length) {
        document.getElementById(id).scrollIntoView();
      }
    });
  }

  function wrapped(element, spec, options) {
    var id = String(element).replace(/^#/, "");
    var holder = document.getElementById(id);
    var drawing = holder && holder.querySelector("svg[aria-label]");
    var label = drawing ? drawing.getAttribute("aria-label") : null;
    return embed(element, spec, options).then(function (result) {
      var live = holder && holder.querySelector("svg");
      if (live && label) {
        live.setAttribute("role", "img");
        live.setAttribute("aria-label", label);
      }
      // The box follows the chart's script in the page: it may not be parsed yet when the chart is drawn.
      return parsed.then(function () { return wire(id, result.view); }).then(function () { return result; });
    });
  }

  Object.keys(embed).forEach(function (key) {
    wrapped[key] = embed[key];
  });
  window.vegaEmbed = wrapped;
})();
