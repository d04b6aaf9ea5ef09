from graphsvc.cli import main

main()
