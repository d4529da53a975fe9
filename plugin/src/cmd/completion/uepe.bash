# bash completion for `kubectl uepe ...` and `kubectl-uepe ...`:
#   source <(kubectl uepe completion bash)
# Every answer comes from `kubectl-uepe __complete`, the protocol kubectl's
# own completion uses for plugins, so both offer the same.

# $1: index of the first word after the plugin's name on the line.
__kubectl_uepe_complete() {
    local line=${COMP_LINE:0:COMP_POINT}
    local -a words lines
    read -r -a words <<<"$line"
    [[ $line == *[[:space:]] ]] && words+=("")
    local out
    out=$(kubectl-uepe __complete "${words[@]:$1}" 2>/dev/null) || return 0
    mapfile -t lines <<<"$out"
    local directive=${lines[${#lines[@]}-1]#:}
    unset 'lines[${#lines[@]}-1]'
    # bash splits the word at '=' (COMP_WORDBREAKS) and replaces only what
    # follows; candidates carry the whole word, so drop what bash keeps.
    local ours=${words[${#words[@]}-1]} cur=${COMP_WORDS[COMP_CWORD]}
    local drop=
    [[ $ours == *"$cur" ]] && drop=${ours%"$cur"}
    COMPREPLY=()
    local c
    for c in "${lines[@]}"; do
        [[ -n $c ]] && COMPREPLY+=("${c#"$drop"}")
    done
    if ((${#COMPREPLY[@]} == 0 && (directive & 4) == 0)); then
        compopt -o default 2>/dev/null
    fi
    return 0
}

__kubectl_uepe_bin() {
    __kubectl_uepe_complete 1
}

# `kubectl uepe ...`: ours; anything else: kubectl's own completion, if any.
__kubectl_uepe_kubectl() {
    if ((COMP_CWORD >= 2)) && [[ ${COMP_WORDS[1]} == uepe ]]; then
        __kubectl_uepe_complete 2
    elif [[ -n ${__kubectl_uepe_previous-} ]]; then
        "$__kubectl_uepe_previous" "$@"
    elif ((COMP_CWORD == 1)); then
        mapfile -t COMPREPLY < <(compgen -W uepe -- "${COMP_WORDS[1]}")
    else
        compopt -o default 2>/dev/null
        COMPREPLY=()
    fi
}

complete -F __kubectl_uepe_bin kubectl-uepe
# bash-completion loads kubectl's own completion on first use; load it now,
# or registering ours would keep it from ever loading.
if ! complete -p kubectl >/dev/null 2>&1 && declare -F _completion_loader >/dev/null; then
    _completion_loader kubectl >/dev/null 2>&1
fi
__kubectl_uepe_spec=$(complete -p kubectl 2>/dev/null)
if [[ $__kubectl_uepe_spec =~ -F\ ([^ ]+) ]] && [[ ${BASH_REMATCH[1]} != __kubectl_uepe_kubectl ]]; then
    __kubectl_uepe_previous=${BASH_REMATCH[1]}
    # Keep kubectl's options (-o default, ...), with our function in front.
    eval "${__kubectl_uepe_spec/-F ${BASH_REMATCH[1]}/-F __kubectl_uepe_kubectl}"
elif [[ -z $__kubectl_uepe_spec ]]; then
    complete -F __kubectl_uepe_kubectl kubectl
fi
unset __kubectl_uepe_spec
