"""Florence-2 as a second engine (extra "florence"): every prompt task, typed results.

`Florence2(florence_model_dir=...)` loads transformers' Florence-2 from a local folder; torch and
transformers are imported only then, so this package imports without the extra.
"""

from .engine import Florence2
from .result import Florence2Result, Region
from .tasks import OCR_TASKS, TASKS, Task

__all__ = ["OCR_TASKS", "TASKS", "Florence2", "Florence2Result", "Region", "Task"]
