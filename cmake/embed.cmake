# embed.cmake - turn a text file into a C array, so the binary carries
# schema.sql itself rather than a second copy of it in C.
# Usage: cmake -DINPUT=schema.sql -DOUTPUT=schema_sql.c -DNAME=prm_schema_sql -P embed.cmake
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}"
  "/* Generated from ${INPUT} by cmake/embed.cmake; do not edit. */\n"
  "const char ${NAME}[] = {${bytes} 0x00};\n")
