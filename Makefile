# The two commands of the README.
.PHONY: demo test

demo:            ## install kg and build the bundled examples into out/
	bash scripts/setup.sh
	.venv/bin/kg build examples --out out --exclude README.md

test:            ## install kg with its test extras and run the whole test suite
	bash scripts/setup.sh --test
	.venv/bin/python -m pytest
