"""Features built from the documents: the responsibility matrix (duties, actors), deadlines, training handouts."""
