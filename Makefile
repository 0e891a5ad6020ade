# The two commands a newcomer needs: `make run` and `make test`. Both set up everything first.
PYTHON ?= python3
PORT   ?= 8501
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup chromium postgresql fonts benchmark

run: setup fonts
	$(BIN)/hubdash run --port $(PORT)

# Three test workers on two cores: a third of a worker's time goes to waiting (on a browser, an app server, or
# the seed release another worker is publishing), and a third worker fills it.
test: setup chromium postgresql
	$(BIN)/pytest -n 3

benchmark: setup chromium postgresql
	$(BIN)/python benchmarks/run.py

setup: $(VENV)/.installed

# Quiet: setuptools' one notice on an editable install ("Editable installation... folders with the same name")
# says nothing to act on.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/pip install --quiet -e '.[test,benchmark]'
	touch $@

# The PDF report embeds DejaVu Sans.
fonts:
	@[ -d /usr/share/fonts/truetype/dejavu ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-dejavu-core; }

# Browser tests drive Debian's Chromium (with a CJK font for the Chinese form); the PDF report embeds DejaVu.
# Nothing downloads a browser build.
chromium:
	@command -v chromium >/dev/null && fc-list | grep -qi microhei && [ -d /usr/share/fonts/truetype/dejavu ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-wqy-microhei fonts-dejavu-core; }

# The feedback store's tests and benchmark start a throwaway PostgreSQL server from Debian's package.
postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql; }
