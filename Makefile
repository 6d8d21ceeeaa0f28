# kb: `make run` sets everything up and serves the chat on the bundled corpus; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export OMP_WAIT_POLICY ?= PASSIVE
export GRADIO_ANALYTICS_ENABLED ?= False
export HF_HUB_OFFLINE ?= 1

.PHONY: setup ocr run ingest test eval bench browser axe clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

setup: $(BIN)/.installed ocr

# Scanned PDFs and images are read with Debian's Tesseract and its Vietnamese model; install
# them when we can (root), else kb reports scans as unread and says how to install it.
ocr:
	@{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie; } || \
	  { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null) ; } || \
	  echo "note: Tesseract not installed; scanned documents will be skipped (apt-get install tesseract-ocr tesseract-ocr-vie)"

run: setup
	$(BIN)/python app.py

ingest: setup
	$(BIN)/python -m kb ingest

eval: setup
	$(BIN)/python -m kb eval

# ~15 minutes on 2 cores: real corpus + synthetic 10k and 100k passages; JSON + PNG in bench/results/
bench: setup
	$(BIN)/python -m kb bench

# Browser tests drive Debian's Chromium; install it when we can (root), else they are skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "note: chromium not installed; browser tests will be skipped"

# axe-core (accessibility checks in the browser tests) from npm into tests/node_modules
axe: tests/node_modules/axe-core/axe.min.js
tests/node_modules/axe-core/axe.min.js: tests/package.json
	@command -v npm >/dev/null 2>&1 && (cd tests && npm install --no-audit --no-fund --silent) || \
	  echo "note: npm not installed; the accessibility test will be skipped"

test: setup browser axe
	$(BIN)/python -m pytest

clean:
	rm -rf data .pytest_cache tests/artifacts
