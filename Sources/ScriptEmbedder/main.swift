import Foundation

exit(EmbedderCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
