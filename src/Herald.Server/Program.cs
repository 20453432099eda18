return await Herald.Server.Hosting.HeraldServerApp.RunAsync(args);
