set(RIO_SSH_SOURCES
  src/ssh/error.cpp
  src/ssh/remote_command.cpp
  src/ssh/target.cpp
  src/ssh/upload_source.cpp)
