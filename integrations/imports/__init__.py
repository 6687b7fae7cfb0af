"""Import of a whole program from Excel or CSV: upload, sheets, columns, people, dry run, commit (docs/import.md)."""
