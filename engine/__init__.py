from engine._memory import keep_freed_memory

keep_freed_memory()  # page faults of freshly mapped memory cost a plan more than its arithmetic (engine/_memory.py)
