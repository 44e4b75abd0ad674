using WorldCluster.Silo.Hosting;

var app = WorldClusterApp.Build(args);
await app.RunAsync();
