"""`assistant eval`: question sets (sets.py, clapnq.py), pure scoring (score.py), the run
(run.py) and its report folder (report.py). Nothing in the pipeline imports this package."""
