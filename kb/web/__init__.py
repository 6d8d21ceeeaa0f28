"""The web app's pieces: chat HTML, citation cards, UI texts, JSON API, assets, feedback, answer slots."""
