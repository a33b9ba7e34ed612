"""Back-tests: every model scored on decisions whose outcomes are known.

:func:`read_cases` reads the data (DEU tables, actor tables with an outcome
column, scenario files with outcomes); :func:`backtest` runs the models and
scores them (:class:`BacktestResult`).
"""

from accord.backtest.cases import CaseBlock, Cases
from accord.backtest.readers import read_cases
from accord.backtest.scoring import BASELINE, BacktestResult, backtest

__all__ = ["BASELINE", "BacktestResult", "CaseBlock", "Cases", "backtest", "read_cases"]
