"""The returns engine: definitions (model.py), the catalogue (catalogue.py), builders, renderers."""
