#!/bin/sh
# valgrind_prm.sh - prm under valgrind memcheck, for the end-to-end cases
# (label valgrind): quiet when clean; any invalid access or definite or
# indirect leak makes the exit status 99, which the case then reports.
exec valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect "$PRM_REAL" "$@"
