"""The foundation every layer uses: errors by kind, time parsing, money, the typed JSON contracts, memory
hygiene and which hosts are this machine. It imports nothing else of cloudblame."""
