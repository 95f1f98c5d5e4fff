"""nkohub staff console: the back office where librarians run their week — meetups, the
door, organizations, the blog and grants, messages and the practice report — in Russian
pages rendered on the server. It keeps staff accounts and their sessions in its own
database and talks to the four services only through their HTTP APIs, with a short-lived
staff token minted for the signed-in account."""
