"""Whole-stock judging: a corporation's unit register, unit by unit, on a columnar engine (DuckDB).

A register row (columns.py) becomes the same component a case file would hold (mapping.py) and so
the same facts (facts.py). The conditions of the rules in force are compiled once per regime
selection to SQL (sql.py), where NULL logic is Kleene logic, and evaluated for every unit by
DuckDB in one streaming query (judge.py); what each distinct outcome means (verdict, reasons,
citations, parameters, assumptions, party) comes from `engine.judge` on a representative unit, so
the stock path has no rules or verdict logic of its own. Totals and the HTML summary are group-bys
over the written table (totals.py, summary.py); `woningwet stock explain` re-judges one row
(explain.py). See docs/stock.md.
"""
