# fish completion for `kubectl uepe ...` and `kubectl-uepe ...`:
#   kubectl uepe completion fish | source
# Every answer comes from `kubectl-uepe __complete`, the protocol kubectl's
# own completion uses for plugins, so both offer the same.

function __kubectl_uepe_is_plugin
    set -l words (commandline -opc)
    test (count $words) -ge 2; and test "$words[2]" = uepe
end

function __kubectl_uepe_complete
    set -l words (commandline -opc) (commandline -ct)
    if test "$words[1]" = kubectl
        set words $words[3..-1]
    else
        set words $words[2..-1]
    end
    set -l lines (kubectl-uepe __complete $words 2>/dev/null)
    or return
    set -l directive (string replace -- ':' '' $lines[-1])
    set -e lines[-1]
    set -l found 0
    for c in $lines
        if test -n "$c"
            echo $c
            set found 1
        end
    end
    if test $found -eq 0; and test (math "bitand($directive, 4)") -eq 0
        __fish_complete_path (commandline -ct)
    end
end

# fish loads kubectl's own completion on first use, and it (cobra's)
# erases what is registered for kubectl: have it loaded now, then add ours.
complete -C 'kubectl ' >/dev/null 2>&1

complete -c kubectl-uepe -f -a '(__kubectl_uepe_complete)'
complete -c kubectl -n __kubectl_uepe_is_plugin -f -a '(__kubectl_uepe_complete)'
