"""woningwet-engine: judge housing-corporation plans against the Woningwet as in force on a date."""

__version__ = "0.1.0"
