from fieldnote.cli import main

main()
