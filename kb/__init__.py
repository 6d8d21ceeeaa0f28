"""kb: a cited-answer knowledge base for Vietnamese child-protection guidance.

Pipeline: load -> parse -> chunk -> embed -> store -> retrieve -> answer. Nothing heavy is
imported here; `from kb.knowledge import KnowledgeBase` when you need the engine.
"""
__version__ = "0.1.0"
