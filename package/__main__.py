from thymoscope.cli.app import main

main()
