"""The Textual front end: browse (and later edit) the store from the keyboard."""
