# SPDX-License-Identifier: MIT
# bash completion for cca-dma-audit(1), installed as
# share/bash-completion/completions/cca-dma-audit (bash-completion loads it on
# first use; or source it). It names no option or command: it asks the binary
# being completed for its hidden --list-options, the table --help and the
# parser are made from, so it cannot fall behind the tool. A line of it is
# "--NAME<TAB>-X<TAB>ARG<TAB>CMD,CMD..." (-X and ARG may be empty).

# Fill the caller's argof (option -> ARG), cmdsof (option -> ",CMD,CMD,") and
# commands (every command, in table order) from the tool's table.
_cca_dma_audit_read_table()
{
	local tool=${COMP_WORDS[0]} line name short arg cmds c
	tool=${tool/#\~/$HOME}
	while IFS= read -r line; do
		# Tab is white space to read, which merges empty fields: split on \x1f.
		IFS=$'\x1f' read -r name short arg cmds <<< "${line//$'\t'/$'\x1f'}"
		argof[$name]=$arg
		cmdsof[$name]=",$cmds,"
		[[ -n $short ]] && argof[$short]=$arg
		for c in ${cmds//,/ }; do
			[[ " ${commands[*]} " == *" $c "* ]] || commands+=("$c")
		done
	done < <("$tool" --list-options 2>/dev/null)
}

# The command word before the cursor: the first word that is neither an option
# nor an option's argument ("--opt value", or "--opt = value" as bash splits
# "--opt=value").
_cca_dma_audit_command()
{
	local i w
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -* ]]; then
			if [[ ${COMP_WORDS[i + 1]} == = ]]; then
				((i += 2))
			elif [[ -n ${argof[$w]} ]]; then
				((i++))
			fi
			continue
		fi
		printf '%s\n' "$w"
		return
	done
}

_cca_dma_audit()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local -A argof=() cmdsof=()
	local commands=() command opt opts=()
	COMPREPLY=()
	_cca_dma_audit_read_table
	((${#commands[@]})) || return 0

	# An option's argument: files where it names one, else nothing to offer.
	opt=$prev
	if [[ $cur == = ]]; then
		cur=""
	elif [[ $prev == = ]]; then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	if [[ $opt == -* && -n ${argof[$opt]} ]]; then
		local arg=${argof[$opt]}
		if [[ $arg == *FILE* || $arg == *DIR* || $arg == *PATH* ]]; then
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
		return 0
	fi

	command=$(_cca_dma_audit_command)
	if [[ $cur == -* ]]; then
		for opt in "${!cmdsof[@]}"; do
			[[ -z $command || ${cmdsof[$opt]} == *",$command,"* ]] && opts+=("$opt")
		done
		mapfile -t COMPREPLY < <(compgen -W "${opts[*]}" -- "$cur" | sort)
	elif [[ -z $command ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${commands[*]}" -- "$cur")
	else
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
	return 0
}

complete -F _cca_dma_audit cca-dma-audit
