package org.scepca.server.cli;

import java.util.concurrent.Callable;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code scepca completion bash|zsh}: a completion script for every command and option, generated from the same
 * model that parses the command line, so it cannot fall behind. zsh loads bash completions through bashcompinit; the
 * script picocli writes starts by enabling it when it runs under zsh.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script.",
                "bash: source <(scepca completion bash)   (or save it in /etc/bash_completion.d/scepca)",
                "zsh:  source <(scepca completion zsh)    (in ~/.zshrc)"})
final class CompletionCommand implements Callable<Integer>, ReadOnly {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(paramLabel = "SHELL", description = "bash or zsh") String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new Errors.UserException("completion is available for bash and zsh, not '" + shell + "'");
        }
        String script = AutoComplete.bash("scepca", Main.commandLine());
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
