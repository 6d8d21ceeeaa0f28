"""Ingest: load -> formats/ocr -> parse (meta, annex, tables) -> chunk -> account -> embed -> store (sync drives it)."""
