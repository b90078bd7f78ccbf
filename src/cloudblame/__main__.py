from cloudblame.cli import main

main()
