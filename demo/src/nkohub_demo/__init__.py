"""The day-one demo: the Glazov library's 2019 season of «Открытое общение», from files."""
