# migrations.cmake - the list of schema migrations, made from the files in
# migrations/ so that adding one is adding its file.
#
#   NNN_what.sql     takes a file database (SQLite) from version NNN-1 to NNN
#   NNN_what.pg.sql  takes a team database (PostgreSQL) to version NNN
#
# Both engines count versions alike: the schema version is the highest NNN
# of either kind, and an engine with no file of that number simply moves
# its version on.  Each file is embedded (cmake/embed.cmake); the generated
# C file lists them in order for src/core/store/migrations.h.
function(prm_migrations dir out_var)
  file(GLOB files CONFIGURE_DEPENDS RELATIVE ${dir} ${dir}/[0-9][0-9][0-9]_*.sql)
  list(SORT files)
  set(sqlite_rows "")
  set(pg_rows "")
  set(decls "")
  set(sources "")
  set(latest 1)
  foreach(name ${files})
    string(SUBSTRING ${name} 0 3 number)
    math(EXPR version "${number}")
    if(version GREATER latest)
      set(latest ${version})
    endif()
    string(REGEX REPLACE "[^A-Za-z0-9]" "_" symbol "prm_migration_${name}")
    set(output ${CMAKE_BINARY_DIR}/migrations/${symbol}.c)
    add_custom_command(
      OUTPUT ${output}
      COMMAND ${CMAKE_COMMAND} -DINPUT=${dir}/${name} -DOUTPUT=${output}
              -DNAME=${symbol} -P ${CMAKE_SOURCE_DIR}/cmake/embed.cmake
      DEPENDS ${dir}/${name} ${CMAKE_SOURCE_DIR}/cmake/embed.cmake
      COMMENT "Embedding migrations/${name}")
    list(APPEND sources ${output})
    string(APPEND decls "extern const char ${symbol}[];\n")
    set(row "    {${version}, \"${name}\", ${symbol}},\n")
    if(name MATCHES "\\.pg\\.sql$")
      string(APPEND pg_rows "${row}")
    else()
      string(APPEND sqlite_rows "${row}")
    endif()
  endforeach()
  set(list_c ${CMAKE_BINARY_DIR}/migrations/list.c)
  # Appended piece by piece: a list (set with several values) would take
  # the C text's semicolons for its separators.
  set(text "/* Generated from migrations/ by cmake/migrations.cmake: do not edit. */\n")
  string(APPEND text "#include \"store/migrations.h\"\n\n${decls}\n")
  string(APPEND text "const int store_schema_version = ${latest};\n\n")
  string(APPEND text "const store_migration store_sqlite_migrations[] = {\n")
  string(APPEND text "${sqlite_rows}    {0, NULL, NULL}};\n\n")
  string(APPEND text "const store_migration store_pg_migrations[] = {\n")
  string(APPEND text "${pg_rows}    {0, NULL, NULL}};\n")
  # Written only when it changes, so that a configure does not rebuild.
  if(EXISTS ${list_c})
    file(READ ${list_c} old)
  else()
    set(old "")
  endif()
  if(NOT old STREQUAL text)
    file(WRITE ${list_c} "${text}")
  endif()
  list(APPEND sources ${list_c})
  set(${out_var} ${sources} PARENT_SCOPE)
endfunction()
