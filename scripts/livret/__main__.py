from livret.cli import main

main()
