// bench/Engine: BenchmarkDotNet over McpAuth.Core's hot paths.
//   dotnet run -c Release --project bench/Engine -- --filter '*'     all benchmarks (BenchmarkDotNet options apply)
//   dotnet run -c Release --project bench/Engine -- --check          run each once and check its answer (smoke)
using System;
using System.Linq;
using BenchmarkDotNet.Running;
using McpAuth.Benchmarks;

if (args.Contains("--check"))
{
    new EngineBenchmarks().Check();
    Console.WriteLine("engine benchmarks: every benchmark ran once and answered correctly");
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(args);
return 0;
