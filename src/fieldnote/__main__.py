from fieldnote.cli import main

# Guarded: ``multiprocessing``'s spawn start re-imports the parent's main module in
# each child (the server's intercept matcher is one), which must not run the CLI.
if __name__ == "__main__":
    main()
