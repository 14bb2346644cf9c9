"""The files the site serves itself so that it works offline: the chart library, MathJax, the figures' script."""

import pytest
import yaml

from labecon_book import assets
from labecon_core.paths import ROOT


def test_the_chart_bundle_defines_vega_embed_in_its_own_scope(tmp_path):
    path = assets.write_vega_bundle(tmp_path / "static", tmp_path / "cache")
    text = path.read_text()
    assert path.name == assets.VEGA_BUNDLE
    assert text.startswith("(function(){") and text.rstrip().endswith("})();"), "no global name clashes"
    assert "vegaEmbed" in text and len(text) > 100_000


def test_the_chart_bundle_is_made_once_per_version(tmp_path, monkeypatch):
    first = assets.write_vega_bundle(tmp_path / "a", tmp_path / "cache").read_text()
    import vl_convert

    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda: pytest.fail("bundled again"))
    assert assets.write_vega_bundle(tmp_path / "b", tmp_path / "cache").read_text() == first


def test_mathjax_is_copied_with_its_svg_output(tmp_path):
    path = assets.write_mathjax(tmp_path)
    assert path == tmp_path / assets.MATHJAX
    assert path.stat().st_size > 100_000 and b"MathJax" in path.read_bytes()


def test_the_figures_script_and_style_are_written_and_loaded_after_the_chart_bundle(tmp_path):
    written = assets.write_reader_assets(tmp_path)
    assert [p.name for p in written] == [assets.READER_JS, assets.READER_CSS]
    assert all(p.stat().st_size > 0 for p in written)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    assert config["html_js_files"] == [assets.VEGA_BUNDLE, assets.READER_JS], "the script wraps the bundle's vegaEmbed"
    assert config["html_css_files"] == [assets.READER_CSS]
