from engine._memory import collect_cycles_less_often, keep_freed_memory

keep_freed_memory()  # page faults of freshly mapped memory cost a plan more than its arithmetic (engine/_memory.py)
collect_cycles_less_often()  # full collections scan every object the process holds, a tenth of a plan (same)
