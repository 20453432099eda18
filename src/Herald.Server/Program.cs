using Herald.Server.Hosting;

return await HeraldServerApp.RunAsync(args);
