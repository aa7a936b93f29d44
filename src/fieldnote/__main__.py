from fieldnote.cli import main

# Guarded so that importing this module runs nothing (multiprocessing's spawn start
# already skips re-running a ``*.__main__`` module in its children).
if __name__ == "__main__":
    main()
