"""labecon_core: the models, data and build tools behind the labecon book."""
