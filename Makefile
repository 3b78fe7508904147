# responsestats: the two commands in README.md, and helpers.
# Works on a machine with only Python 3.11+ and make: the venv is created on demand.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

CITY_DIR    ?= data/processed/sample_city
DATASET     ?= data/processed/cn110
REPORTS     ?= reports
LANG_BRIEF  ?= zh

.PHONY: briefing test lab venv clean-data bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required, found " + sys.version.split()[0]'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

## The main job: generate the city-scale 110 sample (data/sample/README.md, City scale), ingest it and build the
## monthly briefing with its duty roster and grid polygons. The small committed sample (data/sample/cn110) is the
## tests' input.
briefing: $(STAMP)
	$(VENV)/bin/responsestats sample --scale city --out $(CITY_DIR)
	$(VENV)/bin/responsestats ingest $(CITY_DIR)/zz110_*.csv --format cn110 --agency zz110 --out $(DATASET)
	@echo "Dataset: $(abspath $(DATASET))"
	$(VENV)/bin/responsestats briefing $(DATASET) --month latest --agency zz110 --lang $(LANG_BRIEF) --pptx \
		--roster $(CITY_DIR)/roster.csv --boundaries $(CITY_DIR)/grids.geojson --out $(REPORTS)/briefing
	@echo "Briefing ($(LANG_BRIEF)): $(abspath $(REPORTS)/briefing)/index.html, with the PNGs, the slide deck (briefing.pptx) and the executed notebook beside it"

## The test suite (fast profile).
test: $(STAMP)
	$(PY) -m pytest -q

## Benchmarks, not part of the tests (benchmarks/README.md): ingest (cn110 and sffd) and metrics on 1 M synthetic rows.
bench: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
	$(PY) benchmarks/bench_ingest.py --format cn110 --rows 1000000
	$(PY) benchmarks/bench_ingest.py --format sffd --rows 1000000
	$(PY) benchmarks/bench_metrics.py --rows 1000000

## JupyterLab on notebooks/. The checkout's .jupyter/ (added to JUPYTER_CONFIG_PATH, after any path you set) makes
## jupytext the default viewer of .py files, so the py:percent notebooks open as notebooks on a double click; your
## own JupyterLab settings still win. Interactive runs write to reports/notebooks/<notebook>/.
lab: $(STAMP)
	JUPYTER_CONFIG_PATH="$${JUPYTER_CONFIG_PATH:+$$JUPYTER_CONFIG_PATH:}$(CURDIR)/.jupyter" $(VENV)/bin/jupyter lab notebooks/

clean-data:
	rm -rf data/processed $(REPORTS)
