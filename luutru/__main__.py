"""`python -m luutru`: the same command line as the `luutru` script."""

from luutru.cli.main import main

main()
