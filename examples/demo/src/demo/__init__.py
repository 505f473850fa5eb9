from greeting import hello as hello
