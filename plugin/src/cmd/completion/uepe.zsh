#compdef kubectl-uepe
# zsh completion for `kubectl uepe ...` and `kubectl-uepe ...`:
#   source <(kubectl uepe completion zsh)      (after compinit)
# Every answer comes from `kubectl-uepe __complete`, the protocol kubectl's
# own completion uses for plugins, so both offer the same.

# $1: index in $words of the first word after the plugin's name.
__kubectl_uepe_complete() {
    local -a lines
    lines=("${(@f)$(kubectl-uepe __complete "${(@)words[$1,CURRENT]}" 2>/dev/null)}")
    local directive=${lines[-1]#:}
    lines=("${(@)lines[1,-2]}")
    lines=(${lines:#})
    if (( ${#lines} )); then
        compadd -Q -- "${(@)lines}"
    elif (( (directive & 4) == 0 )); then
        _files
    else
        return 1
    fi
}

_kubectl_uepe() {
    __kubectl_uepe_complete 2
}

# `kubectl uepe ...`: ours; anything else: kubectl's own completion, if any.
_kubectl_uepe_kubectl() {
    if (( CURRENT > 2 )) && [[ ${words[2]} == uepe ]]; then
        __kubectl_uepe_complete 3
    elif [[ -n ${__kubectl_uepe_previous-} ]]; then
        "$__kubectl_uepe_previous" "$@"
    elif (( CURRENT == 2 )); then
        compadd uepe
    else
        _files
    fi
}

compdef _kubectl_uepe kubectl-uepe
if [[ ${_comps[kubectl]-} != _kubectl_uepe_kubectl ]]; then
    __kubectl_uepe_previous=${_comps[kubectl]-}
fi
compdef _kubectl_uepe_kubectl kubectl
