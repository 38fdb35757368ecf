# NICdesk: `make run` opens the app, `make test` runs the whole suite headless.
# Both create .venv themselves; repeated calls skip work already done (stamp files).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint bench screenshot demo clean package package-test install-desktop

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-app: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-app
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.stamp-package: $(VENV)/.stamp-app
	$(BIN)/pip install --quiet -e '.[package]'
	touch $@

# The desktop needs a few X11 libraries Qt does not ship; as root they are installed,
# otherwise the exact command is printed.
run: $(VENV)/.stamp-app
	@missing="$$(tools/qt-system-libs $(BIN)/python)"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing libraries the Qt desktop needs: $$missing"; \
	    apt-get install -y -qq $$missing || { apt-get update -qq && apt-get install -y -qq $$missing; }; \
	  else \
	    echo "NICdesk needs these system libraries first:"; \
	    echo "  sudo apt-get install $$missing"; exit 1; \
	  fi; \
	fi
	QT_QPA_PLATFORM= $(BIN)/nicdesk

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/python tools/check-cycles
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider tests
	NICDESK_HEADLESS=1 $(BIN)/python -m pytest -q -p no:cacheprovider -p no:pytest-qt tests \
	    --ignore=tests/ui --ignore=tests/faults --ignore=tests/server

bench: $(VENV)/.stamp-dev
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/runchart.py
	$(BIN)/python bench/diagram.py
	$(BIN)/python bench/pdsa.py
	$(BIN)/python bench/bundle.py
	$(BIN)/python bench/delta.py
	$(BIN)/python bench/network.py
	$(BIN)/python bench/packet.py
	$(BIN)/python bench/scale.py

# The README screenshot, regenerated from the sample network (never hand-made).
screenshot: $(VENV)/.stamp-app
	rm -f out/readme.nicdesk
	mkdir -p out docs
	$(BIN)/nicdesk demo out/readme.nicdesk
	$(BIN)/nicdesk screenshot out/readme.nicdesk --out docs/main-window.png \
	    --select "Lincoln High School/Measures/Weekly" --size 1400x860
	$(BIN)/nicdesk screenshot out/readme.nicdesk --out docs/network-view.png \
	    --select "Great Lakes Focus Schools NIC/Network view" --size 1400x900

# The installable one-folder app (Linux here; see packaging/nicdesk.spec for Windows/macOS)
package: $(VENV)/.stamp-package
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist \
	    --workpath build/pyinstaller packaging/nicdesk.spec
	@du -sh dist/nicdesk

# Runs the packaged binary as a user would: the sample, a packet, a screenshot, headless
package-test: package
	tools/package-smoke dist/nicdesk/nicdesk

# Menu entry, icons and .nicdesk/.nicbundle file types for the current user (XDG dirs)
install-desktop: $(VENV)/.stamp-app
	$(BIN)/nicdesk install-desktop

clean:
	rm -rf $(VENV) out build dist *.egg-info src/*.egg-info
