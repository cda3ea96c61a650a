package dev.selfrestore.agent.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --option KEY=VALUE}, for the commands that hand agent options on (attach, run). */
final class AgentOptionsInput {
    @Option(names = "--option", paramLabel = "KEY=VALUE",
            description = "an agent option passed on as it is (mode=, env=, main-args=, jvm=, strict=, debug=true, "
                    + "capture=FILE...); may be repeated")
    List<String> options = new ArrayList<>();

    /** Each option one KEY=VALUE without ','; none with a key of {@code reserved} (null: none reserved). */
    void check(String reserved, String why) throws CliFailure {
        for (String o : options) {
            if (o.contains(",") || !o.contains("=") || (reserved != null && o.startsWith(reserved + "="))) {
                throw new CliFailure(Main.USAGE, "--option " + o + ": one KEY=VALUE without ','" + why);
            }
        }
    }

    /** {@code ,K=V,K=V}, or empty: what follows the descriptor in the agent's argument. */
    String suffix() {
        return options.isEmpty() ? "" : "," + String.join(",", options);
    }
}
