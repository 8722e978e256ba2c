"""The one import wizard (``import_wizard.ImportWizard``), driven by an import's ``core.imports.Importer``."""
