# bash completion for prm's one-shot commands: prm COMMAND [ARGS...].
# Completes options, commands, verbs, field names and the names of the
# partners and projects in the database.  Installed by `cmake --install`
# into share/bash-completion/completions/prm; or: source completions/prm.bash
_prm_fields() { # _prm_fields KIND [VERB]|metrics|partners|trend|insights|audit
    # prm says which KEY= words it takes, from its own tables.
    prm "${_prm_db[@]}" help --words "$@" 2>/dev/null
}

_prm_verbs() { # _prm_verbs KIND: the verbs of a kind, from its help's usage
    prm help "$1" 2>/dev/null |
        awk '/^Usage:/ { u = 1; next } u && /^  [a-z]/ { print $2 } u && /^$/ { exit }'
}

_prm_names() { # _prm_names KIND: names in the database, quoted for the shell
    prm "${_prm_db[@]}" --json "$1" list 2>/dev/null |
        grep -o '"name":"[^"]*"' | sed 's/^"name":"//; s/"$//'
}

_prm() {
    local cur prev words cword
    _init_completion -n = 2>/dev/null || {
        cur=${COMP_WORDS[COMP_CWORD]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    }
    local i cmd="" verb="" first=0
    _prm_db=()
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --db) _prm_db=(--db "${words[i + 1]}"); ((i++)) ;;
        -f) ((i++)) ;;
        -*) ;;
        *) if [[ -z $cmd ]]; then cmd=${words[i]}; first=$i
           elif [[ -z $verb ]]; then verb=${words[i]}; fi ;;
        esac
    done
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--db --json --bail --atomic -f --version --help" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "partner project comm communication resource outcome deal task fund request claim tier agenda metrics report insights export import audit undo backup restore encrypt check help" -- "$cur"))
        fi
        return
    fi
    case $cmd in
    partner | project | comm | communication | resource | outcome | deal | task | fund | request | claim | tier)
        if [[ -z $verb ]]; then
            COMPREPLY=($(compgen -W "$(_prm_verbs "$cmd")" -- "$cur"))
        elif [[ $cur == partners=*,* ]]; then
            local list=${cur#partners=} IFS=$'\n'
            COMPREPLY=($(compgen -P "partners=${list%,*}," -W "$(_prm_names partner)" -- "${list##*,}"))
        elif [[ $cur == partners=* ]]; then
            local IFS=$'\n'
            COMPREPLY=($(compgen -P "partners=" -W "$(_prm_names partner)" -- "${cur#*=}"))
        elif [[ $cur == partner=* || $cur == project=* || $cur == fund=* ]]; then
            local kind=${cur%%=*} IFS=$'\n'
            COMPREPLY=($(compgen -P "$kind=" -W "$(_prm_names "$kind")" -- "${cur#*=}"))
        elif [[ $verb == show || $verb == update || $verb == delete ]] && ((cword == first + 2)); then
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$(_prm_names "$cmd")" -- "$cur"))
        else
            local fields=$(_prm_fields "$cmd" "$verb")
            [[ $verb == list ]] && fields="$fields since= until="
            [[ $verb == list && $cmd == deal ]] && fields="$fields active= expiring= conflicts="
            [[ $verb == list && $cmd == task ]] && fields="$fields due_before= due_after= overdue="
            [[ $verb == add && ($cmd == comm || $cmd == communication) ]] && fields="$fields next= next_due="
            compopt -o nospace 2>/dev/null
            COMPREPLY=($(compgen -W "$fields" -- "$cur"))
        fi ;;
    report)
        if [[ -z $verb ]]; then
            COMPREPLY=($(compgen -W "partners trend" -- "$cur"))
        else
            compopt -o nospace 2>/dev/null
            COMPREPLY=($(compgen -W "$(_prm_fields "$verb")" -- "$cur"))
        fi ;;
    agenda)
        if [[ $cur == partner=* ]]; then
            local IFS=$'\n'
            COMPREPLY=($(compgen -P "partner=" -W "$(_prm_names partner)" -- "${cur#*=}"))
        elif [[ -z $verb ]]; then
            compopt -o nospace 2>/dev/null
            COMPREPLY=($(compgen -W "ics $(_prm_fields agenda)" -- "$cur"))
        else
            compopt -o nospace 2>/dev/null
            COMPREPLY=($(compgen -W "$(_prm_fields agenda)" -- "$cur"))
        fi ;;
    encrypt)
        [[ -z $verb ]] && COMPREPLY=($(compgen -W "on off passphrase" -- "$cur")) ;;
    export | import)
        if [[ -z $verb ]]; then
            COMPREPLY=($(compgen -W "json jsonl csv" -- "$cur"))
        elif [[ $verb == csv ]] && ((cword == first + 2)); then
            COMPREPLY=($(compgen -W "partner project communication resource outcome deal task" -- "$cur"))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi ;;
    help) COMPREPLY=($(compgen -W "partner project comm resource outcome deal task agenda metrics report insights export import audit undo backup restore encrypt check set history" -- "$cur")) ;;
    *) compopt -o nospace 2>/dev/null
       COMPREPLY=($(compgen -W "$(_prm_fields "$cmd")" -- "$cur")) ;;
    esac
}
complete -F _prm prm
