"""The service app's models, one module per area (complaints, visits, surveys, care)."""
