from repodoc_ls.cli import run

run()
