"""Where credentials are delivered: project files, the credentials file, a child process."""
