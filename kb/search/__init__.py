"""Search: question analysis (lexicon, glossary, intent) -> BM25 (lexical) + dense -> fuse and re-rank (retrieve) -> sentences."""
